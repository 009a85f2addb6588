# str(i) for i < 1,000,000 into a list, joined; length and middle char: peer of benches/programs/strings.em
parts = []
for i in range(1_000_000):
    parts.append(str(i))
s = "".join(parts)
mid = len(s) // 2
print(len(s))
print(s[mid])
