-- binary-trees depth 16, CLBG output: peer of benches/programs/binary_trees.em (LuaJIT and Lua 5.4)
local function make(depth)
  if depth == 0 then return {} end
  return { make(depth - 1), make(depth - 1) }
end

local function check(t)
  local n = 1
  if t[1] then n = n + check(t[1]) end
  if t[2] then n = n + check(t[2]) end
  return n
end

local n = 16
local min_depth = 4
local max_depth = math.max(min_depth + 2, n)
local stretch = max_depth + 1
io.write(string.format("stretch tree of depth %d\t check: %d\n", stretch, check(make(stretch))))
local long_lived = make(max_depth)
for depth = min_depth, max_depth, 2 do
  local iterations = 2 ^ (max_depth - depth + min_depth)
  local total = 0
  for i = 1, iterations do
    total = total + check(make(depth))
  end
  io.write(string.format("%d\t trees of depth %d\t check: %d\n", iterations, depth, total))
end
io.write(string.format("long lived tree of depth %d\t check: %d\n", max_depth, check(long_lived)))
