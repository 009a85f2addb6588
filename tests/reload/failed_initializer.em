-- file app.em
struct Point { x: int, y: int }
let mut hits = 0;
let origin = Point { x: 1, y: 2 };
fn score() -> int { hits += 1; origin.x * 10 + origin.y }
fn helper() -> int { 5 }
-- run app.em
-- entry
score()
-- file app.em
struct Point { x: int, y: int, z: int }
let mut hits = 0;
let origin = Point { x: 1, y: 2, z: 3 };
let limit = helper() / (hits - 1);
fn score() -> int { hits += 1; origin.x * 100 + origin.z }
fn helper() -> int { 7 }
-- reload app.em
-- entry
score()
-- entry
helper()
-- entry
limit
-- versions fn score
-- versions struct Point
-- file app.em
struct Point { x: int, y: int, z: int }
let mut hits = 0;
let origin = Point { x: 1, y: 2, z: 3 };
let limit = helper() / hits;
fn score() -> int { hits += 1; origin.x * 100 + origin.z }
fn helper() -> int { 7 }
-- reload app.em
-- entry
score()
-- entry
limit
-- entry
origin
