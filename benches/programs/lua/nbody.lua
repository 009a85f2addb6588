-- n-body, 1,000,000 steps: peer of benches/programs/nbody.em (LuaJIT and Lua 5.4).
-- Prints each energy as Ember prints a float (Rust's {:?}: shortest round-trip digits).
local sqrt = math.sqrt
local PI = 3.141592653589793
local SOLAR_MASS = 4.0 * PI * PI
local DAYS_PER_YEAR = 365.24

local function planet(x, y, z, vx, vy, vz, mass)
  return { x = x, y = y, z = z, vx = vx * DAYS_PER_YEAR, vy = vy * DAYS_PER_YEAR,
           vz = vz * DAYS_PER_YEAR, mass = mass * SOLAR_MASS }
end

local function offset_momentum(bodies)
  local px, py, pz = 0.0, 0.0, 0.0
  for i = 1, #bodies do
    local b = bodies[i]
    px = px + b.vx * b.mass
    py = py + b.vy * b.mass
    pz = pz + b.vz * b.mass
  end
  local sun = bodies[1]
  sun.vx = -px / SOLAR_MASS
  sun.vy = -py / SOLAR_MASS
  sun.vz = -pz / SOLAR_MASS
end

local function energy(bodies)
  local e = 0.0
  local n = #bodies
  for i = 1, n do
    local b = bodies[i]
    e = e + 0.5 * b.mass * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz)
    for j = i + 1, n do
      local o = bodies[j]
      local dx, dy, dz = b.x - o.x, b.y - o.y, b.z - o.z
      e = e - b.mass * o.mass / sqrt(dx * dx + dy * dy + dz * dz)
    end
  end
  return e
end

local function advance(bodies, n, dt)
  for i = 1, n do
    local b = bodies[i]
    for j = i + 1, n do
      local o = bodies[j]
      local dx, dy, dz = b.x - o.x, b.y - o.y, b.z - o.z
      local d2 = dx * dx + dy * dy + dz * dz
      local mag = dt / (d2 * sqrt(d2))
      b.vx = b.vx - dx * o.mass * mag
      b.vy = b.vy - dy * o.mass * mag
      b.vz = b.vz - dz * o.mass * mag
      o.vx = o.vx + dx * b.mass * mag
      o.vy = o.vy + dy * b.mass * mag
      o.vz = o.vz + dz * b.mass * mag
    end
  end
  for i = 1, n do
    local b = bodies[i]
    b.x = b.x + dt * b.vx
    b.y = b.y + dt * b.vy
    b.z = b.z + dt * b.vz
  end
end

-- Rust {:?} text of a finite float.
local function rust_float(v)
  if v == 0 then return (1 / v < 0) and "-0.0" or "0.0" end
  local s
  for prec = 0, 16 do
    s = string.format("%." .. prec .. "e", v)
    if tonumber(s) == v then break end
  end
  local sign, mant, exp = s:match("^(-?)([%d%.]+)e([-+]%d+)$")
  exp = tonumber(exp)
  local digits = mant:gsub("%.", ""):gsub("0+$", "")
  if digits == "" then digits = "0" end
  local nd = #digits
  if exp < -4 or exp >= 16 then
    local m = digits:sub(1, 1)
    if nd > 1 then m = m .. "." .. digits:sub(2) end
    return sign .. m .. "e" .. exp
  elseif exp < 0 then
    return sign .. "0." .. string.rep("0", -exp - 1) .. digits
  else
    local int, frac
    if nd > exp + 1 then
      int, frac = digits:sub(1, exp + 1), digits:sub(exp + 2)
    else
      int, frac = digits .. string.rep("0", exp + 1 - nd), "0"
    end
    return sign .. int .. "." .. frac
  end
end

local bodies = {
  { x = 0.0, y = 0.0, z = 0.0, vx = 0.0, vy = 0.0, vz = 0.0, mass = SOLAR_MASS },
  planet(4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
         1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
         9.54791938424326609e-04),
  planet(8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
         -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
         2.85885980666130812e-04),
  planet(1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
         2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
         4.36624404335156298e-05),
  planet(1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
         2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
         5.15138902046611451e-05),
}
offset_momentum(bodies)
print(rust_float(energy(bodies)))
for s = 1, 1000000 do
  advance(bodies, #bodies, 0.01)
end
print(rust_float(energy(bodies)))
