"""The one severity scale: SEV1 is 1 and the worst, and its helpers read in that direction."""

from tenants.severity import Severity


def test_lower_is_worse_and_the_helpers_say_so():
    assert [(s.value, s.label) for s in Severity][0] == (1, "SEV1 · Critical")
    assert Severity.is_worse(Severity.CRITICAL, than=Severity.LOW)
    assert not Severity.is_worse(Severity.LOW, than=Severity.HIGH)
    assert Severity.is_at_or_worse(Severity.HIGH, Severity.HIGH)
    assert not Severity.is_at_or_worse(Severity.MEDIUM, Severity.HIGH)
    assert Severity.at_or_worse(Severity.HIGH) == [1, 2]
    assert Severity.at_or_worse(Severity.LOW) == [1, 2, 3, 4]
    assert Severity.worst(Severity.MEDIUM, Severity.CRITICAL, Severity.LOW) == Severity.CRITICAL
