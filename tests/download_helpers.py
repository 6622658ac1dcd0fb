"""The files the app offers for download in an AppTest, fetched as a browser would.

A download button whose data is a callable (every data download: dashboard/web/tables.py `download`) registers a
deferred file with Streamlit's MediaFileManager; a browser asks the server to run it (`execute_deferred`, what
Streamlit's DeferredFileHandler calls) and then fetches the stored bytes from the media endpoint. `Downloads` does the
same two steps on the AppTest's own MediaFileManager; static files (bytes given to the button) are recorded as stored.
"""

from __future__ import annotations

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileKind
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage


class Downloads:
    def __init__(self, monkeypatch) -> None:
        self.stored: list[tuple[str | None, bytes]] = []  # every download put in the media storage, in order
        self.deferred: dict[str, tuple[MediaFileManager, str | None]] = {}  # file id -> (manager, file name)
        self._fetched: set[str] = set()
        store, defer = MemoryMediaFileStorage.load_and_get_id, MediaFileManager.add_deferred

        def spy_store(storage, path_or_data, mimetype, kind, filename=None):
            if isinstance(path_or_data, bytes) and kind == MediaFileKind.DOWNLOADABLE:  # not images (the tab icon)
                self.stored.append((filename, path_or_data))
            return store(storage, path_or_data, mimetype, kind, filename)

        def spy_defer(manager, data_callable, mimetype, coordinates, file_name=None, **options):
            file_id = defer(manager, data_callable, mimetype, coordinates, file_name, **options)
            self.deferred[file_id] = (manager, file_name)
            return file_id

        monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy_store)
        monkeypatch.setattr(MediaFileManager, "add_deferred", spy_defer)

    def fetch(self, file_id: str) -> bytes:
        """Run a deferred download as the server does on a browser's request, and read the file from the media
        storage through the URL it returns."""
        manager, _ = self.deferred[file_id]
        url = manager.execute_deferred(file_id)
        self._fetched.add(file_id)
        stored = manager.read_file(url.rsplit("/", 1)[-1].split(".")[0])
        assert stored is not None, url
        return stored.content

    def fetch_button(self, button) -> bytes:
        """The file behind a download button element of an AppTest (`at.download_button[...]`)."""
        file_id = button.proto.deferred_file_id
        assert file_id, f"{button.proto.id} gives its bytes on every run instead of when asked"
        return self.fetch(file_id)

    def files(self) -> list[tuple[str | None, bytes]]:
        """Every file offered so far: each deferred one fetched once, and the static ones."""
        for file_id in list(self.deferred):
            if file_id not in self._fetched:
                self.fetch(file_id)
        return list(self.stored)
