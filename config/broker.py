"""kombu's filesystem transport (the embedded default's broker) with a put that is atomic.

kombu (5.x, celery/kombu#1551) writes a message straight into its final ``*.msg`` file in the queue folder, and a
consumer takes any ``*.msg`` file it sees without the writer's lock: when the worker polls between the file's
creation and its write — beat sends a task while the worker drains the queue — it reads an empty file, and the
JSONDecodeError is "unrecoverable": the worker exits (seen within a minute with beat every 10 s,
scripts/soak-duties.py). Here a message is written under a name the consumer ignores and renamed into place
(``os.replace``, atomic on one file system), so a consumer sees a whole message or none. Registered under the
``filesystem`` alias by config/celery.py; nothing else of the transport changes.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put a message onto ``queue``: write ``.<name>.part``, then rename it to ``<name>`` (kombu's name)."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")  # no consumer matches "<queue>.msg" here
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
