"""Library calls with explicit random states (a grid search over a shuffled KFold, a pandas sample,
scipy differential evolution), a logger with a handler, and a module-level progress bar the
function updates (output, not input: its count and timings differ between runs)."""
import logging
import sys
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from ckpt import cached

log = logging.getLogger("experiment")
log.addHandler(logging.StreamHandler(sys.stdout))
log.setLevel(logging.WARNING)
PBAR = tqdm(total=10, file=sys.stderr, leave=False)


@dataclass
class Settings:
    grid: dict = field(default_factory=lambda: {"clf__C": [0.1, 1.0]})
    folds: int = 3

    def __post_init__(self):
        self.cv = KFold(self.folds, shuffle=True, random_state=0)


SETTINGS = Settings()


@cached
def search(n):
    print("RUN")
    X, y = make_classification(n_samples=n, random_state=1)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=200))])
    gs = GridSearchCV(pipe, SETTINGS.grid, cv=SETTINGS.cv).fit(X, y)
    PBAR.update(1)
    log.info("done")
    return round(float(gs.best_score_), 6)


@cached
def subsample(frac):
    print("RUN")
    df = pd.DataFrame({"a": np.arange(50)})
    return int(df.sample(frac=frac, random_state=42)["a"].sum())


@cached
def optimum(seed):
    print("RUN")
    res = differential_evolution(lambda v: (v[0] - 1) ** 2 + (v[1] + 2) ** 2, [(-5, 5), (-5, 5)], seed=seed,
                                 maxiter=20, tol=1e-8)
    return [round(float(x), 4) for x in res.x]


if __name__ == "__main__":
    print("OUT", search(120))
    print("OUT", subsample(0.3))
    print("OUT", optimum(3))
