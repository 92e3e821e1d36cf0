"""The project package, which is also the standard library's `platform` module.

Everything started from the project root (manage.py, `celery -A platform`, pytest, `python -m pip`)
finds this folder before the standard library, and uuid, Celery, pip and psutil call
`platform.system()` and friends. So the standard `platform.py` is executed into this namespace.
This file must import nothing but the standard library: `python -m pip install` runs from the
root before anything else is installed.
"""

import os as _os

_STDLIB_PLATFORM = _os.path.join(_os.path.dirname(_os.__file__), "platform.py")
_project_doc = __doc__
with open(_STDLIB_PLATFORM, encoding="utf-8") as _source:
    exec(compile(_source.read(), _STDLIB_PLATFORM, "exec"), globals())  # noqa: S102
__doc__ = _project_doc
del _source, _project_doc
