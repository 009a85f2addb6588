-- fib(32), naive recursion: peer of benches/programs/fib.em (runs under LuaJIT and Lua 5.4)
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
print(string.format("%d", fib(32)))
