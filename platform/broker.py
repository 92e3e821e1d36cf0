"""The file-system broker of the default (no-services) setup, with each message written whole
before a worker can see it.

kombu's file-system transport creates a message's file and then writes it, while a worker polling
the folder moves away any file it lists: a worker that looked in between took an empty file, failed
to decode it and deleted it, and the message was lost. The more often workers poll, the likelier
that is. Here a message is written under a name no worker reads and renamed into place, which is
atomic on one file system."""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
