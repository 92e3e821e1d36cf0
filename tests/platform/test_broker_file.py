"""The default file-system broker never shows a worker a message before it is whole: kombu's own
transport created the file and then wrote it, and a worker polling in between took (and deleted)
an empty file, losing the message."""

import builtins
import os

from kombu import Connection
from kombu.transport import filesystem

import platform.broker as broker


def _what_a_poller_sees_while_writing(module, transport, tmp_path, monkeypatch) -> list[int]:
    """Publish one message; at the moment its file is opened for writing, record the sizes of the
    queue's message files a polling worker would take."""
    seen: list[int] = []

    def spying_open(path, mode="r", *args, **kwargs):
        handle = builtins.open(path, mode, *args, **kwargs)
        if "w" in mode:
            seen.extend(os.path.getsize(tmp_path / n) for n in os.listdir(tmp_path) if n.endswith(".q.msg"))
        return handle

    monkeypatch.setattr(module, "open", spying_open, raising=False)
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "store_processed": False}
    with Connection("filesystem://", transport=transport, transport_options=options) as connection:
        queue = connection.SimpleQueue("q")
        queue.put({"task": "ping", "n": 1})
        message = queue.get(timeout=5)
        assert message.payload == {"task": "ping", "n": 1}
        message.ack()
        queue.close()
    return seen


def test_a_message_appears_in_the_folder_only_when_it_is_written_whole(tmp_path, monkeypatch):
    assert _what_a_poller_sees_while_writing(broker, broker.Transport, tmp_path, monkeypatch) == []
    assert [n for n in os.listdir(tmp_path) if n.startswith(".")] == []  # no partial file left behind


def test_kombus_own_transport_shows_the_empty_file_this_one_avoids(tmp_path, monkeypatch):
    """The failure the transport exists for, shown on kombu's: an empty message file is visible."""
    assert _what_a_poller_sees_while_writing(filesystem, filesystem.Transport, tmp_path, monkeypatch) == [0]


def test_a_filesystem_broker_url_resolves_to_this_transport_and_others_do_not():
    from kombu import Connection

    import platform.celery  # noqa: F401 - registers the alias, as every web and worker process does

    assert Connection("filesystem://").get_transport_cls() is broker.Transport
    assert Connection("redis://127.0.0.1:6379/0").get_transport_cls() is not broker.Transport
