FACTOR = 5
MODE = 'slow'
