"""Where reference files come from: a data directory, a download cache, or the built-in sample.

Resolution order (:func:`resolve`):

1. ``SMARTCUSTOMS_DATA_DIR`` (``settings.data_dir``) when set — the air-gapped route and what
   tests and CI use;
2. otherwise ``settings.cache_dir``, filled by downloading each file from its public home with
   :mod:`pooch` and a pinned SHA-256 (a file already in the cache with the right hash is reused);
3. if that fails (no network), :class:`DataUnavailable` with instructions — or, when the caller
   allows it (the demo), the small sample shipped inside the package.

Two files have no stable raw download: the APEC Environmental Goods List (published only as an
annex of the 2012 Leaders' Declaration, tabulated in an OECD paper) and the UN/LOCODE 2018-1 full
code list (UNECE ships it in a zip of several parts). Those must be copied into the data
directory (or into the cache directory under the same sub-folder); without them the load skips
the dataset and says why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from smartcustoms.config import Settings
from smartcustoms.errors import DataUnavailable
from smartcustoms.reference.model import SourceKind

SAMPLE_DIR = Path(__file__).parent / "sample"
RAW = "https://raw.githubusercontent.com"


@dataclass(frozen=True, slots=True)
class DataFile:
    dataset: str
    path: str
    """Path inside the data directory, e.g. ``harmonized-system/sections.csv``."""
    sha256: str
    """Pinned hash of the published file (checked on download only)."""
    url: str | None
    """Public raw home, or ``None`` when there is no stable one."""
    required: bool = True


FILES: tuple[DataFile, ...] = (
    DataFile(
        "hs",
        "harmonized-system/harmonized-system.csv",
        "e77ee9e1cfd15a42d1fadeb2c0618d10f6b9ed9aec0e5d66826dc7ef9d3126a5",
        f"{RAW}/datasets/harmonized-system/main/data/harmonized-system.csv",
    ),
    DataFile(
        "hs",
        "harmonized-system/sections.csv",
        "96313884a3c7ef5182d20f25ce73a34c2763c1d26ac5992d66460a3c32bae782",
        f"{RAW}/datasets/harmonized-system/main/data/sections.csv",
    ),
    DataFile(
        "fx",
        "exchange-rates/monthly.csv",
        "c2b361928844addcbfe07d2cdd99bc0168062e33f40abebcf80a91d12c258c70",
        f"{RAW}/datasets/exchange-rates/main/data/monthly.csv",
    ),
    DataFile(
        "egl",
        "apec-egl/apec_egl_hs2007_codes.txt",
        "f7792225e2a819f0bed76d928f55d7042ed0d289e6e46cbd27110608f630c71c",
        None,
    ),
    DataFile(
        "unlocode",
        "unlocode/unlocode-code-list-2018-1_full.csv",
        "eb43db4d233beb1023989fd52ad136c4f7372a28e228ee8cbf864cfc534b200d",
        None,
    ),
)

# What a data directory must hold at least: declarations cannot be assessed without them.
ESSENTIAL = ("hs", "fx")
# Datasets built from installed packages rather than files.
PACKAGE_DATASETS = frozenset({"countries"})


def files_for(dataset: str) -> list[DataFile]:
    return [f for f in FILES if f.dataset == dataset]


def expected_layout() -> str:
    """The sub-folders and file names a data directory must hold, one per line."""
    return "\n".join(f"  {f.path}" + ("" if f.required else "  (optional)") for f in FILES)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ReferenceSource:
    """A directory laid out like the shared data directory, and how it came to be."""

    kind: SourceKind
    root: Path
    is_sample: bool = False
    missing: dict[str, str] = field(default_factory=dict)
    """Datasets this source cannot provide, with the reason (filled by :func:`resolve`)."""

    @classmethod
    def from_directory(cls, path: Path | str) -> ReferenceSource:
        root = Path(path).expanduser()
        if not root.is_dir():
            raise DataUnavailable(
                f"reference data directory {root} does not exist; it must hold:\n"
                + expected_layout()
            )
        return cls("directory", root, missing=_missing_in(root))

    @classmethod
    def sample(cls) -> ReferenceSource:
        missing = _missing_in(SAMPLE_DIR, sample_name)
        return cls("sample", SAMPLE_DIR, is_sample=True, missing=missing)

    def path(self, relative: str) -> Path:
        return self.root / (sample_name(relative) if self.is_sample else relative)

    def has(self, dataset: str) -> bool:
        return dataset in PACKAGE_DATASETS or dataset not in self.missing

    def require(self, dataset: str) -> list[Path]:
        """The existing files of ``dataset`` (required ones first), or DataUnavailable."""
        if dataset in self.missing:
            raise DataUnavailable(self.missing[dataset])
        return [self.path(f.path) for f in files_for(dataset) if self.path(f.path).is_file()]

    @property
    def location(self) -> str:
        return "built-in sample" if self.kind == "sample" else str(self.root)


def sample_name(relative: str) -> str:
    """Where the built-in excerpt of a data file lives inside the package: same folder, name
    prefixed with ``sample-``, so an excerpt is never mistaken for (or checked in as) the file."""
    path = Path(relative)
    return str(path.parent / f"sample-{path.name}")


def _missing_in(root: Path, name: Callable[[str], str] = str) -> dict[str, str]:
    missing: dict[str, str] = {}
    for f in FILES:
        if f.required and not (root / name(f.path)).is_file() and f.dataset not in missing:
            missing[f.dataset] = (
                f"{f.dataset}: {root / f.path} is missing; copy {f.path} into {root}"
            )
    return missing


def unavailable_message(reason: str) -> str:
    return (
        f"reference data is not available ({reason}).\n"
        "Point SmartCustoms at a local copy: set SMARTCUSTOMS_DATA_DIR=/path/to/data "
        "(or pass --data-dir /path/to/data to 'smartcustoms reference load'), where the "
        "directory holds:\n" + expected_layout()
    )


def resolve(settings: Settings, *, allow_sample: bool) -> ReferenceSource:
    """The data directory, else the download cache, else (if allowed) the built-in sample."""
    if settings.data_dir is not None:
        if not Path(settings.data_dir).is_dir():
            raise DataUnavailable(
                unavailable_message(f"SMARTCUSTOMS_DATA_DIR={settings.data_dir} is not a directory")
            )
        source = ReferenceSource.from_directory(settings.data_dir)
        lacking = [source.missing[d] for d in ESSENTIAL if d in source.missing]
        if lacking:
            # A directory without the expected files is a mistake (a wrong path, an empty
            # variable), never a silent half-load whose declarations all fail later.
            raise DataUnavailable(
                unavailable_message(
                    f"SMARTCUSTOMS_DATA_DIR={settings.data_dir} does not hold the reference "
                    "files: " + "; ".join(lacking)
                )
            )
        return source
    if settings.offline:
        if allow_sample:
            return ReferenceSource.sample()
        raise DataUnavailable(unavailable_message("SMARTCUSTOMS_OFFLINE is set: no download"))
    try:
        return download(settings.cache_dir)
    except DataUnavailable:
        if allow_sample:
            return ReferenceSource.sample()
        raise


def download(cache_dir: Path, files: Iterable[DataFile] = FILES) -> ReferenceSource:
    """Fill ``cache_dir`` from the public homes; pinned hashes guard against changed files."""
    import pooch  # imported here: only the download path needs it

    failures: list[str] = []
    for f in files:
        target = cache_dir / f.path
        if target.is_file() and sha256_of(target) == f.sha256:
            continue
        if f.url is None:
            continue  # no stable home: the operator copies it in (reported as missing)
        try:
            pooch.retrieve(
                f.url,
                known_hash=f"sha256:{f.sha256}",
                fname=target.name,
                path=target.parent,
                progressbar=False,
            )
        except Exception as exc:  # network errors, hash mismatch: all mean "not available"
            if f.required:
                failures.append(f"{f.url} ({type(exc).__name__})")
    if failures:
        raise DataUnavailable(unavailable_message("downloading failed: " + "; ".join(failures[:3])))
    source = ReferenceSource("download", cache_dir, missing=_missing_in(cache_dir))
    for dataset, reason in list(source.missing.items()):
        if not any(f.url for f in files_for(dataset)):
            source.missing[dataset] = (
                f"{dataset}: has no stable download; {reason.split(': ', 1)[1]} "
                "or set SMARTCUSTOMS_DATA_DIR to a directory that holds it"
            )
    return source
