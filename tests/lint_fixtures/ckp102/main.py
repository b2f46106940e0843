from checkpointing import checkpoint


@checkpoint
def mutations(xs, d, obj, arr, df, s):
    xs.append(1)  # expect: CKP102
    xs.extend([2])  # expect: CKP102
    d["k"] = 1  # expect: CKP102
    del d["j"]  # expect: CKP102
    d["n"] += 1  # expect: CKP102
    obj.attr = 2  # expect: CKP102
    obj.count += 1  # expect: CKP102
    d.update(a=1)  # expect: CKP102
    s.add(3)  # expect: CKP102
    arr.fill(0)  # expect: CKP102
    df.drop(columns=["a"], inplace=True)  # expect: CKP102
    xs.sort()  # expect: CKP102
    return len(xs)


@checkpoint
def near_misses(xs, d, df, n):
    ys = list(xs)
    ys.append(1)
    total = dict(d)
    total["k"] = 1
    df2 = df.drop(columns=["a"], inplace=False)
    n += 1
    xs = xs + [1]
    xs.append(2)
    return ys, total, df2, n, xs, d.get("k")
