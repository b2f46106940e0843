import glob
import json
import os
import pickle
import sqlite3
import urllib.request
from pathlib import Path

import boto3
import h5py
import numpy as np
import pandas as pd
import requests
import scipy.io
import torch
import xarray as xr
from checkpointing import checkpoint


@checkpoint(inputs=False)  # every file read reported: none is recorded at run time
def reads(path):
    a = open(path).read()  # expect: CKP104
    b = Path(path).read_text()  # expect: CKP104
    c = pd.read_csv(path)  # expect: CKP104
    d = np.load(path)  # expect: CKP104
    with open(path, "rb") as f:  # expect: CKP104
        e = pickle.load(f)  # expect: CKP104
    with Path(path).open() as f:  # expect: CKP104
        g = json.load(f)  # expect: CKP104
    h = urllib.request.urlopen("https://example.org")  # expect: CKP104
    i = requests.get("https://example.org")  # expect: CKP104
    return a, b, c, d, e, g, h, i


@checkpoint
def writes(text, frame):
    with open("out.txt", "w") as f:
        f.write(text)
    return frame.describe(), json.loads(text)


@checkpoint  # the files read are recorded at run time: only what the record cannot see is reported
def services_and_formats(path, bucket):
    client = boto3.client("s3")  # expect: CKP104
    listing = client.list_objects_v2(Bucket=bucket)
    weights = torch.load(path)
    with h5py.File(path) as f:
        x = f["x"][:]
    mat = scipy.io.loadmat(path)
    ds = xr.open_dataset(path)
    names = glob.glob("*.csv") + os.listdir(".")
    answer = requests.post("https://example.org/api", json={"q": 1})  # expect: CKP104
    rows = sqlite3.connect(path).execute("select 1").fetchall()  # expect: CKP104
    runs = sorted(Path(path).glob("*.h5"))
    return listing, weights, x, mat, ds, names, answer, rows, runs


@checkpoint
def writes_formats(path, x):
    with h5py.File(path, "w") as f:
        f["x"] = x
    torch.save(x, path)
    return os.path.join(path, "x"), os.environ.get("HOME")
