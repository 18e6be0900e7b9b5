"""Bounded, safe reading of user files and text (YAML), and atomic writing of outputs.

Every file or text a user hands to gigafleet passes through here:

* **Size-capped**: text over :data:`MAX_YAML_BYTES` is refused before parsing.
* **No YAML aliases**: anchors/aliases (``&a`` / ``*a``) are refused, so a 400-byte "billion laughs" document
  cannot expand to gigabytes; nesting deeper than :data:`MAX_YAML_DEPTH` is refused too.
* **No echo of content**: YAML errors give the problem and the line/column, never the offending text (so
  ``--scenario /etc/shadow`` does not print the file's first line); values quoted in messages are clipped to
  :data:`MAX_ECHO_CHARS` characters by :func:`clip`.
* **Clear errors** for directories, binary files, unreadable files, and output paths that cannot be written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gigafleet.errors import MAX_ECHO_CHARS, InputError, clip

__all__ = [
    "MAX_ECHO_CHARS",
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "YamlError",
    "check_output_path",
    "clip",
    "load_yaml_text",
    "read_text_file",
    "read_yaml_file",
    "write_atomic",
]

MAX_YAML_BYTES = 1024 * 1024
"""Largest YAML text or file accepted [bytes] (shipped scenarios are < 10 KiB)."""

MAX_YAML_DEPTH = 64
"""Deepest nesting of YAML collections accepted."""


class YamlError(InputError):
    """A YAML text or file could not be read (too large, aliases, not YAML, binary, a directory...)."""

    def __init__(self, message: str, field: str = "yaml") -> None:
        self.field = field
        self.value = None
        self.allowed = ""
        Exception.__init__(self, message)


def _loader_class() -> type:
    import yaml

    class _NoAliasLoader(yaml.SafeLoader):
        """SafeLoader that refuses aliases and deep nesting (both checked while composing, before building)."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML aliases (*name) are not allowed in gigafleet files", event.start_mark
                )
            depth = getattr(self, "_gigafleet_depth", 0)
            if depth >= MAX_YAML_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.constructor.ConstructorError(
                    None, None, f"YAML nested deeper than {MAX_YAML_DEPTH} levels", event.start_mark
                )
            self._gigafleet_depth = depth + 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._gigafleet_depth = depth

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # unhashable keys are refused by the base class
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {clip(key)} (each key once)", key_node.start_mark
                    )
            return super().construct_mapping(node, deep=deep)

    return _NoAliasLoader


_LOADER: type | None = None


def load_yaml_text(text: str, source: str = "yaml") -> Any:
    """Parse YAML text safely (size-capped, no aliases, bounded depth).

    Parameters
    ----------
    text
        The YAML document.
    source
        Where it came from (file name or ``yaml`` for request bodies), used in messages.

    Returns
    -------
    Any
        The parsed document (``None`` for an empty one).

    Raises
    ------
    YamlError
        Too large, aliases, too deep, or not valid YAML; the message names the line and column, never the text.

    Examples
    --------
    >>> load_yaml_text("a: 1")
    {'a': 1}
    """
    import yaml

    global _LOADER
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_YAML_BYTES:
        raise YamlError(f"{source}: {size:,} bytes is too large; expected YAML of at most {MAX_YAML_BYTES:,} bytes")
    if _LOADER is None:
        _LOADER = _loader_class()
    try:
        return yaml.load(text, Loader=_LOADER)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        problem = clip(exc.problem or exc.context or "invalid YAML", quote=False)
        raise YamlError(f"{where}: not valid YAML ({problem})") from None
    except yaml.YAMLError:
        raise YamlError(f"{source}: not valid YAML") from None
    except RecursionError:
        raise YamlError(f"{source}: YAML nested too deeply") from None


def read_text_file(path: str | os.PathLike[str], what: str = "file", *, limit: int = MAX_YAML_BYTES) -> str:
    """Read a user's text file with clear errors (missing, a directory, unreadable, binary, too large).

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for messages (``scenario file``, ``experiment file``).
    limit
        Largest size accepted [bytes].
    """
    file = Path(path)
    try:
        if file.is_dir():
            raise YamlError(f"{file}: is a directory; expected a {what}")
        if not file.exists():
            raise YamlError(f"{file}: {what} not found")
        size = file.stat().st_size
        if size > limit:
            raise YamlError(f"{file}: {size:,} bytes is too large; expected a {what} of at most {limit:,} bytes")
        data = file.read_bytes()
    except PermissionError:
        raise YamlError(f"{file}: {what} cannot be read (permission denied)") from None
    except OSError as exc:
        raise YamlError(f"{file}: {what} cannot be read ({exc.strerror or type(exc).__name__})") from None
    if b"\x00" in data:
        raise YamlError(f"{file}: is a binary file; expected a {what} (UTF-8 text)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise YamlError(f"{file}: is not UTF-8 text; expected a {what}") from None


def read_yaml_file(path: str | os.PathLike[str], what: str = "file") -> tuple[Any, str]:
    """Read and parse a YAML file; return (document, text). Errors as :func:`read_text_file` and
    :func:`load_yaml_text`."""
    text = read_text_file(path, what)
    return load_yaml_text(text, str(path)), text


def check_output_path(path: str | os.PathLike[str], flag: str, *, directory: bool = False) -> Path:
    """Check, before any work, that an output path can be written; return it.

    A file path must not be empty, must not be an existing directory, and its folder must exist or be creatable
    and be writable. With ``directory``, the path is a folder (created if missing).

    Raises
    ------
    InputError
        Naming the flag, the path and what is allowed.
    """
    text = os.fspath(path)
    if not str(text).strip():
        raise InputError(flag, text, "a file path" if not directory else "a folder path")
    target = Path(text)
    if directory:
        if target.exists() and not target.is_dir():
            raise InputError(flag, text, "a folder (this is a file)")
        folder = target
    else:
        if target.is_dir():
            raise InputError(flag, text, "a file path (this is a folder)")
        folder = target.parent if str(target.parent) else Path(".")
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(flag, text, f"a path whose folder can be created ({existing} is a file)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(flag, text, f"a writable location ({existing} is not writable)")
    if not directory and target.exists() and not os.access(target, os.W_OK):
        raise InputError(flag, text, "a writable file (permission denied)")
    return target


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], None] | str | bytes) -> Path:
    """Write a file atomically: into a temporary file in the same folder, then ``os.replace``.

    Parameters
    ----------
    path
        The target file (its folder is created).
    write
        Text or bytes to write, or a function writing to the temporary path it is given.

    Returns
    -------
    Path
        The written file (flushed to disk; an existing file keeps its permissions, a new one gets 0644). On
        failure nothing is left behind (the temporary file is removed) and the previous content, if any, is
        unchanged.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(temp_name)
    try:
        if isinstance(write, (str, bytes)):
            data = write.encode("utf-8") if isinstance(write, str) else write
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        else:
            os.close(handle)
            write(temp)
            with temp.open("rb") as stream:
                os.fsync(stream.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def shipped_files(folder: Path, exclude: tuple[str, ...] = ()) -> dict[str, Path]:
    """The YAML files shipped in ``folder``, by name (``demo`` → ``demo.yaml``), ``exclude`` left out.

    The only way a name from a request or a flag becomes a path: it must be one of these keys.
    """
    return {p.stem: p for p in sorted(folder.glob("*.yaml")) if p.stem not in exclude}


def resolve_shipped(path: str | os.PathLike[str], folder: Path) -> Path:
    """A file path as given, or a file shipped in ``folder`` by bare name (``demo``, ``demo.yaml``).

    A path that exists, or that names a folder (``/nonexistent/demo.yaml``), is used as written: never silently
    replaced by a shipped file of the same name.
    """
    candidate = Path(path)
    if candidate.exists() or candidate.parent != Path("."):
        return candidate
    for option in (folder / candidate.name, folder / f"{candidate.name}.yaml"):
        if option.is_file():
            return option
    return candidate
