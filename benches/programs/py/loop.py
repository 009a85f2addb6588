# sum of (i*i) % 7 for i < 80,000,000: peer of benches/programs/loop.em
def run(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7
    return total

print(run(80_000_000))
