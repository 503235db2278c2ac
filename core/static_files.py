"""Static files that come from npm packages (node_modules/, installed by `make install` from
package.json): only the files named in settings.NODE_PACKAGE_STATIC_FILES are served and
collected, each under its own static path, not the packages' whole folders."""

from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core import checks
from django.core.files.storage import FileSystemStorage


def _sources():
    """(static path, file in node_modules) for each file named in the setting."""
    root = Path(settings.NODE_MODULES_DIR)
    return [
        (static_path, root / source)
        for static_path, source in settings.NODE_PACKAGE_STATIC_FILES.items()
    ]


class NodePackageFinder(BaseFinder):
    def check(self, **kwargs):
        missing = [str(source) for _, source in _sources() if not source.is_file()]
        if not missing:
            return []
        return [
            checks.Error(
                "The design system's files are not installed: " + ", ".join(missing),
                hint="Run `make install` (it needs Node.js 20 and npm: apt install nodejs npm).",
                id="core.E001",
            )
        ]

    def find(self, path, find_all=False, **kwargs):
        matches = [
            str(source)
            for static_path, source in _sources()
            if static_path == path and source.is_file()
        ]
        if find_all:
            return matches
        return matches[0] if matches else []

    def list(self, ignore_patterns):
        for static_path, source in _sources():
            if not source.is_file():
                continue
            storage = FileSystemStorage(location=source.parent)
            # collectstatic copies the file to <prefix>/<name>: its static path.
            storage.prefix = str(PurePosixPath(static_path).parent)
            yield source.name, storage
