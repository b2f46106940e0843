W = 4
BIAS = 1
