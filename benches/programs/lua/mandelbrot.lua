-- Mandelbrot 1000x1000, 50 iterations, count points inside: peer of benches/programs/mandelbrot.em
local function count_inside(n, max_iter)
  local count = 0
  for y = 0, n - 1 do
    local ci = 2.0 * y / n - 1.0
    for x = 0, n - 1 do
      local cr = 2.0 * x / n - 1.5
      local zr, zi = 0.0, 0.0
      local inside = true
      for i = 1, max_iter do
        local tr = zr * zr - zi * zi + cr
        local ti = 2.0 * zr * zi + ci
        zr = tr
        zi = ti
        if zr * zr + zi * zi > 4.0 then
          inside = false
          break
        end
      end
      if inside then count = count + 1 end
    end
  end
  return count
end
print(string.format("%d", count_inside(1000, 50)))
