"""Django's file email backend with a gate a test controls: once TEST_MAIL_HOLD_AFTER messages are
in the folder, the next send blocks (after writing HELD with its recipient) until a file named
RELEASE appears. So a test can kill a worker at a known point: inside a send, before delivery."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


def delivered(folder: Path) -> list[str]:
    """The recipients of every message in the folder, one entry per message."""
    recipients = []
    for path in sorted(Path(folder).glob("*.log")):
        for line in path.read_text().splitlines():
            if line.startswith("To: "):
                recipients.append(line[4:].strip())
    return recipients


class GatedFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        folder = Path(self.file_path)
        hold_after = int(os.environ.get("TEST_MAIL_HOLD_AFTER") or 0)
        if hold_after and len(delivered(folder)) >= hold_after:
            (folder / "HELD").write_text(",".join(r for m in email_messages for r in m.recipients()))
            while not (folder / "RELEASE").exists():
                time.sleep(0.05)
        return super().send_messages(email_messages)
