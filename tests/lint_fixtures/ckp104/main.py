import json
import pickle
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import requests
from checkpointing import checkpoint


@checkpoint
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
