# add1 called 100,000,000 times: peer of benches/programs/calls.em
def add1(x):
    return x + 1

def run(n):
    x = 0
    for _ in range(n):
        x = add1(x)
    return x

print(run(100_000_000))
