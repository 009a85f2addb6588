-- sum of (i*i) % 7 for i < 80,000,000: peer of benches/programs/loop.em (LuaJIT and Lua 5.4)
local function run(n)
  local sum = 0
  for i = 0, n - 1 do
    sum = sum + (i * i) % 7
  end
  return sum
end
print(string.format("%d", run(80000000)))
