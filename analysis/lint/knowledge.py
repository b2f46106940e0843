"""What the lint knows about library calls, as data: which read the outside world, and how.

A checkpointed function's key covers its arguments and code, not what it reads from files,
services or the process environment: a call listed here, anywhere in the code a checkpointed
function reaches, is reported (CKP104; environment variables are CKP106). Names are
qualified as imported (``pandas.read_csv``, ``boto3.client``); a pattern may end in ``*``
(``pandas.read_*``). A project adds its own readers in ``pyproject.toml``::

    [tool.checkpointing.lint]
    inputs = ["mylab.io.fetch_run", "mylab.db.*"]

Clocks and random draws are the nondeterministic calls of CKP103 (``CLOCKS`` below).
"""

from __future__ import annotations

import fnmatch
import re
from typing import Dict, Iterable, Mapping, Optional, Tuple

#: category -> what a call of it does, said in a finding
CATEGORIES: Dict[str, str] = {
    "file": "reads a file",
    "listing": "lists a directory",
    "network": "reads from the network",
    "database": "queries a database",
    "cloud": "calls a cloud service",
    "environment": "reads the process environment",
    "process": "runs another program",
    "user": "reads input declared in [tool.checkpointing.lint] inputs",
}

#: category -> qualified names and patterns of the calls that read that kind of input
INPUTS: Dict[str, Tuple[str, ...]] = {
    "file": (
        "builtins.open", "io.open", "codecs.open", "json.load", "pickle.load", "marshal.load", "shelve.open",
        "csv.reader", "csv.DictReader", "configparser.ConfigParser.read", "tomllib.load", "tomli.load",
        "yaml.load", "yaml.safe_load", "yaml.full_load", "yaml.unsafe_load", "pathlib.Path.read_text",
        "pathlib.Path.read_bytes", "pathlib.Path.open", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt",
        "numpy.fromfile", "numpy.memmap", "pandas.read_*", "pandas.HDFStore", "pandas.ExcelFile",
        "polars.read_*", "polars.scan_*", "pyarrow.parquet.read_table", "pyarrow.parquet.ParquetFile",
        "pyarrow.csv.read_csv", "pyarrow.feather.read_*", "pyarrow.dataset.dataset", "joblib.load",
        "torch.load", "torch.jit.load", "safetensors.torch.load_file", "h5py.File", "tables.open_file",
        "scipy.io.loadmat", "scipy.io.wavfile.read", "scipy.io.mmread", "xarray.open_dataset",
        "xarray.open_mfdataset", "xarray.open_dataarray", "xarray.open_zarr", "xarray.load_dataset",
        "zarr.open", "zarr.open_group", "zarr.open_array", "netCDF4.Dataset", "PIL.Image.open",
        "cv2.imread", "cv2.VideoCapture", "imageio.imread", "imageio.v3.imread", "imageio.v2.imread",
        "skimage.io.imread", "tifffile.imread", "soundfile.read", "librosa.load", "nibabel.load",
        "pydicom.dcmread", "pydicom.read_file", "mne.io.read_raw*", "mne.read_epochs", "mne.read_*",
        "rasterio.open", "geopandas.read_file", "fiona.open", "openpyxl.load_workbook", "docx.Document",
        "datasets.load_dataset", "datasets.load_from_disk", "transformers.AutoModel*.from_pretrained",
        "gzip.open", "bz2.open", "lzma.open", "zipfile.ZipFile", "tarfile.open", "fsspec.open",
        "dotenv.load_dotenv", "dotenv.dotenv_values",
    ),
    "listing": (
        "os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.iglob", "pathlib.Path.glob",
        "pathlib.Path.rglob", "pathlib.Path.iterdir", "pathlib.Path.walk", "fsspec.filesystem",
    ),
    "network": (
        "urllib.request.urlopen", "urllib.request.urlretrieve", "requests.get", "requests.post", "requests.put",
        "requests.patch", "requests.delete", "requests.head", "requests.request", "requests.Session",
        "httpx.get", "httpx.post", "httpx.put", "httpx.patch", "httpx.delete", "httpx.request", "httpx.stream",
        "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession", "http.client.HTTPConnection",
        "http.client.HTTPSConnection", "socket.create_connection", "ftplib.FTP", "paramiko.SSHClient",
        "smtplib.SMTP", "urllib3.PoolManager", "urllib3.request", "SPARQLWrapper.SPARQLWrapper", "openai.OpenAI",
        "anthropic.Anthropic",
    ),
    "database": (
        "sqlite3.connect", "sqlalchemy.create_engine", "psycopg2.connect", "psycopg.connect", "pymysql.connect",
        "MySQLdb.connect", "mysql.connector.connect", "pymongo.MongoClient", "redis.Redis", "redis.StrictRedis",
        "duckdb.connect", "duckdb.sql", "duckdb.query", "cx_Oracle.connect", "oracledb.connect", "pyodbc.connect",
        "pandas.io.sql.read_sql", "pandas.read_sql", "pandas.read_sql_query", "pandas.read_sql_table",
        "pandas.read_gbq", "elasticsearch.Elasticsearch", "neo4j.GraphDatabase.driver",
        "clickhouse_driver.Client", "snowflake.connector.connect", "psycopg2.pool.*",
    ),
    "cloud": (
        "boto3.client", "boto3.resource", "boto3.Session", "boto3.session.Session", "botocore.session.get_session",
        "google.cloud.*.Client", "google.cloud.bigquery.Client", "google.cloud.storage.Client",
        "azure.storage.blob.*Client", "azure.storage.blob.*Client.from_connection_string",
        "azure.cosmos.CosmosClient", "azure.identity.*Credential", "s3fs.S3FileSystem", "gcsfs.GCSFileSystem",
        "adlfs.AzureBlobFileSystem",
    ),
    "process": (
        "subprocess.run", "subprocess.check_output", "subprocess.Popen", "subprocess.getoutput",
        "subprocess.getstatusoutput", "os.popen",
    ),
    "environment": (
        "os.getenv", "os.getenvb", "os.environ.get", "os.environ.copy", "os.environ.items", "os.environ.keys",
        "os.environ.values", "os.environ.__getitem__",
    ),
}

#: calls that make a client, connection, session or handle (CKP108): an object tied to this process
#: (a socket, a file, a lock) and often to credentials, not a result to store
CLIENTS: Tuple[str, ...] = (
    "boto3.client", "boto3.resource", "boto3.Session", "boto3.session.Session", "google.cloud.*.Client",
    "azure.storage.blob.*Client", "azure.storage.blob.*Client.from_connection_string", "azure.cosmos.CosmosClient",
    "requests.Session", "httpx.Client", "httpx.AsyncClient", "aiohttp.ClientSession", "urllib3.PoolManager",
    "http.client.HTTPConnection", "http.client.HTTPSConnection", "socket.socket", "socket.create_connection",
    "ftplib.FTP", "paramiko.SSHClient", "smtplib.SMTP", "sqlite3.connect", "sqlalchemy.create_engine",
    "psycopg2.connect", "psycopg.connect", "pymysql.connect", "mysql.connector.connect", "pymongo.MongoClient",
    "redis.Redis", "redis.StrictRedis", "duckdb.connect", "elasticsearch.Elasticsearch", "openai.OpenAI",
    "anthropic.Anthropic", "builtins.open", "io.open", "threading.Lock", "threading.RLock",
    "multiprocessing.Pool", "concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor",
    "subprocess.Popen", "tempfile.NamedTemporaryFile", "tempfile.TemporaryFile", "h5py.File",
)

#: calls that read the clock (CKP103)
CLOCKS: Tuple[str, ...] = (
    "time.time", "time.time_ns", "time.perf_counter", "time.perf_counter_ns", "time.monotonic",
    "time.monotonic_ns", "time.process_time", "time.process_time_ns", "time.localtime", "time.gmtime",
    "time.ctime", "datetime.datetime.now", "datetime.datetime.today", "datetime.datetime.utcnow",
    "datetime.date.today", "pandas.Timestamp.now", "pandas.Timestamp.today", "pandas.Timestamp.utcnow",
)


class Table:
    """Qualified names and ``*`` patterns, each with a category: which category a name is in."""

    def __init__(self, entries: Mapping[str, Iterable[str]]) -> None:
        self._exact: Dict[str, str] = {}
        patterns = []
        for category, names in entries.items():
            for name in names:
                if "*" in name or "?" in name or "[" in name:
                    patterns.append((re.compile(fnmatch.translate(name)), category))
                else:
                    self._exact.setdefault(name, category)
        self._patterns = tuple(patterns)

    def category(self, qualified: str) -> Optional[str]:
        found = self._exact.get(qualified)
        if found is not None:
            return found
        for pattern, category in self._patterns:
            if pattern.match(qualified):
                return category
        return None


_DEFAULT = Table(INPUTS)
clients = Table({"client": CLIENTS})
_tables: Dict[Tuple[str, ...], Table] = {(): _DEFAULT}


def inputs(extra: Iterable[str] = ()) -> Table:
    """The table of input readers, with a project's own (``inputs`` in its lint configuration)."""
    key = tuple(extra)
    found = _tables.get(key)
    if found is None:
        found = _tables[key] = Table({**INPUTS, "user": key})
    return found


def describe(category: str) -> str:
    return CATEGORIES.get(category, "reads input")
