-- add1 called 100,000,000 times: peer of benches/programs/calls.em (LuaJIT and Lua 5.4)
local function add1(x) return x + 1 end
local function run(n)
  local x = 0
  for i = 1, n do
    x = add1(x)
  end
  return x
end
print(string.format("%d", run(100000000)))
