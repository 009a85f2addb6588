-- tostring(i) for i < 1,000,000 into a table, concatenated; length and middle char:
-- peer of benches/programs/strings.em (LuaJIT and Lua 5.4)
local parts = {}
for i = 0, 999999 do
  parts[#parts + 1] = tostring(i)
end
local s = table.concat(parts, "")
local mid = math.floor(#s / 2)
print(string.format("%d", #s))
print(s:sub(mid + 1, mid + 1))
