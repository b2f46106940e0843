"""Readers of files that do not go through the interpreter's ``open``: compiled code opens the
file itself (Arrow's file system, the HDF5 and netCDF libraries, OpenCV, GDAL, libsndfile), so
the audit events the runtime records a computation's inputs from (``checkpointing._inputs``)
never see it. While a computation is recorded, each of these is watched, and the path it is
given is an input.

``COMPILED_READERS`` maps a module to the readers it defines: a function's name, or
``Class.__init__`` for a class whose instances open the file. A module imported while the
computation runs is watched once imported. A reader bound to another name before the
computation (``from pyarrow.parquet import read_table`` at the top of a module) is not. Each reader takes the path as
its first argument (after ``self``) or as one of ``PATH_KEYWORDS``; ``READ_MODES`` names the
keyword that says whether it opens for reading.
"""

from __future__ import annotations

import fnmatch
from typing import Dict, Optional, Tuple

COMPILED_READERS: Dict[str, Tuple[str, ...]] = {
    "pandas": ("read_parquet", "read_feather", "read_orc", "read_hdf", "HDFStore.__init__"),
    "pyarrow.parquet": ("read_table", "read_pandas", "read_schema", "read_metadata", "ParquetFile.__init__",
                        "ParquetDataset.__init__"),
    "pyarrow.feather": ("read_table", "read_feather"),
    "pyarrow.csv": ("read_csv", "open_csv"),
    "pyarrow.json": ("read_json",),
    "pyarrow.orc": ("read_table", "ORCFile.__init__"),
    "pyarrow.dataset": ("dataset",),
    "h5py": ("File.__init__",),
    "tables": ("open_file",),
    "xarray": ("open_dataset", "open_dataarray", "open_mfdataset", "load_dataset", "load_dataarray", "open_zarr"),
    "cv2": ("imread", "imreadmulti", "VideoCapture"),
    "rasterio": ("open",),
    "geopandas": ("read_file", "read_parquet", "read_feather"),
    "pyogrio": ("read_dataframe", "read_arrow"),
    "fiona": ("open",),
    "soundfile": ("read", "SoundFile.__init__"),
    "safetensors.torch": ("load_file",),
    "safetensors.numpy": ("load_file",),
    "duckdb": ("read_parquet", "read_csv"),
}

#: keyword names a reader takes its path as
PATH_KEYWORDS = ("path", "source", "filename", "file", "fname", "name", "uri", "filepath", "path_or_paths",
                 "filepath_or_buffer", "fp", "where", "input_file")
#: the keyword (or second positional argument) that gives the mode: a reader given "w" writes
READ_MODES = ("mode",)


#: readers that open the file with the interpreter's ``open`` (or read a file object opened by it)
#: and listings the interpreter's audit events report: the runtime records what they read
OPEN_READERS: Tuple[str, ...] = (
    "builtins.open", "io.open", "codecs.open", "json.load", "pickle.load", "marshal.load", "csv.reader",
    "csv.DictReader", "configparser.ConfigParser.read", "tomllib.load", "tomli.load", "yaml.load", "yaml.safe_load",
    "yaml.full_load", "yaml.unsafe_load", "pathlib.Path.read_text", "pathlib.Path.read_bytes", "pathlib.Path.open",
    "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile", "numpy.memmap", "pandas.read_csv",
    "pandas.read_table", "pandas.read_fwf", "pandas.read_json", "pandas.read_excel", "pandas.read_pickle",
    "pandas.read_stata", "pandas.read_sas", "pandas.read_xml", "pandas.ExcelFile", "joblib.load", "torch.load",
    "scipy.io.loadmat", "scipy.io.wavfile.read", "zarr.open", "zarr.open_group",
    "zarr.open_array", "PIL.Image.open", "imageio.imread", "imageio.v3.imread", "imageio.v2.imread",
    "skimage.io.imread", "tifffile.imread", "librosa.load", "nibabel.load", "pydicom.dcmread", "pydicom.read_file",
    "mne.io.read_raw*", "mne.read_epochs", "mne.read_*", "openpyxl.load_workbook", "docx.Document", "gzip.open",
    "bz2.open", "lzma.open", "zipfile.ZipFile", "tarfile.open", "dotenv.load_dotenv", "dotenv.dotenv_values",
    "os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.iglob", "pathlib.Path.glob", "pathlib.Path.rglob",
    "pathlib.Path.iterdir", "pathlib.Path.walk",
)

#: file readers the runtime cannot see, named here for the documentation: compiled code that opens
#: the file itself and cannot be watched (Rust, C++ such as scipy's fast_matrix_market, Cython
#: classes, the dbm libraries), loaders
#: that fetch from a hub or a remote cache, and readers of a database, the clipboard or a remote
#: file system. Any reader in neither table above is treated the same way (the lint reports it).
UNSEEN_READERS: Tuple[str, ...] = (
    "polars.read_*", "polars.scan_*", "netCDF4.Dataset", "torch.jit.load", "datasets.load_dataset",
    "datasets.load_from_disk", "transformers.AutoModel*.from_pretrained", "pandas.read_sql*", "pandas.read_gbq",
    "pandas.read_clipboard", "pandas.read_spss", "pandas.read_html", "fsspec.open", "fsspec.filesystem",
    "shelve.open", "scipy.io.mmread",
)


def seen_at_run_time(qualified: str) -> bool:
    """Does the runtime record the files this reader (a qualified name) reads: through the
    interpreter's ``open`` and listing events (:data:`OPEN_READERS`), or by watching it
    (:data:`COMPILED_READERS`)? A reader in neither is not seen."""
    if any(fnmatch.fnmatchcase(qualified, pattern) for pattern in UNSEEN_READERS):
        return False
    return watched(qualified) is not None or any(fnmatch.fnmatchcase(qualified, p) for p in OPEN_READERS)


def watched(qualified: str) -> Optional[str]:
    """The entry of :data:`COMPILED_READERS` that watches this reader (``pyarrow.parquet.read_table``,
    ``h5py.File.__init__``), or None. A function is watched where it is looked up on its module
    while the computation runs, not under a name bound to it before (``from pyarrow.parquet import
    read_table``); a class's ``__init__`` wherever the class is called from."""
    module, _, name = qualified.rpartition(".")
    while module:
        readers = COMPILED_READERS.get(module)
        if readers is not None:
            for reader in (name, f"{name}.__init__"):
                if reader in readers:
                    return reader
        module, _, outer = module.rpartition(".")
        name = f"{outer}.{name}"
    return None
