import os
import random
import secrets
import time
import uuid
from datetime import date, datetime

import numpy as np
from checkpointing import checkpoint


@checkpoint
def unseeded(n):
    a = random.random()  # expect: CKP103
    b = np.random.rand(n)  # expect: CKP103
    c = np.random.default_rng()  # expect: CKP103
    d = time.time()  # expect: CKP103
    e = datetime.now()  # expect: CKP103
    f = date.today()  # expect: CKP103
    g = uuid.uuid4()  # expect: CKP103
    h = os.urandom(8)  # expect: CKP103
    i = secrets.token_hex(8)  # expect: CKP103
    j = random.Random()  # expect: CKP103
    return a, b, c, d, e, f, g, h, i, j


@checkpoint
def seeded(n, seed):
    random.seed(seed)
    np.random.seed(seed)
    rng = np.random.default_rng(seed)
    local = random.Random(seed)
    return random.random(), np.random.rand(n), rng.random(n), local.random(), uuid.uuid5(uuid.NAMESPACE_DNS, "x")
