import sqlite3

import boto3
import requests
from checkpointing import checkpoint


@checkpoint
def client(region):
    return boto3.client("s3", region_name=region)  # expect: CKP104, CKP108


@checkpoint
def session():
    s = requests.Session()  # expect: CKP104
    s.headers["Authorization"] = "token"
    return s  # expect: CKP108


@checkpoint
def handle(path):
    return open(path)  # expect: CKP108


@checkpoint
def rows(path):
    connection = sqlite3.connect(path)  # expect: CKP104
    return connection.execute("select 1").fetchall()


@checkpoint
def rebound(path):
    data = sqlite3.connect(path)  # expect: CKP104
    data = data.execute("select 1").fetchall()
    return data


@checkpoint
def text(path):
    with open(path) as f:  # (a file read: recorded at run time)
        return f.read()
