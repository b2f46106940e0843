"""scikit-learn estimators and helpers with an explicit random_state."""
import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from ckpt import cached

SEED = 7


@cached
def make_data(n):
    print("RUN")
    X, y = make_blobs(n_samples=n, centers=3, random_state=SEED)
    return X, y


@cached
def fit_forest(X, y, n_estimators=10):
    print("RUN")
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=n_estimators, random_state=0))
    model.fit(X_train, y_train)
    return round(float(model.score(X_test, y_test)), 6)


@cached
def cluster(X, estimator):
    print("RUN")
    return sorted(np.bincount(estimator.fit_predict(X)).tolist())


@cached
def jitter(X, random_state=3):
    print("RUN")
    rng = check_random_state(random_state)
    return round(float((X + rng.normal(size=X.shape)).sum()), 6)


if __name__ == "__main__":
    X, y = make_data(150)
    print("OUT", X.shape)
    print("OUT", fit_forest(X, y))
    print("OUT", cluster(X, KMeans(n_clusters=3, n_init=3, random_state=0)))
    print("OUT", jitter(X))
