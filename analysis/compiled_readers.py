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

from typing import Dict, Tuple

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
