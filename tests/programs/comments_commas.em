// Covers: line comments, block comments (nested), comments between tokens, and trailing commas in every comma-separated list.
/* a block comment
   /* with a nested block comment inside */
   still inside the outer comment: println("not printed");
*/
struct Triple { a: int, b: int, c: int, }
fn sum3(a: int, b: int, c: int,) -> int { a + b + c }
let t = Triple { a: 1, b: 2, c: 3, };
println(sum3(t.a, t.b, t.c,));
let arr = [1, /* inline */ 2, 3,];
println(arr);
let m = ["x": 1, "y": 2,];
println(m);
let f: fn(int, int, int,) -> int = sum3;
println(f(4, 5, 6,));
println(1 + /* hidden */ 2); // trailing line comment
// println("commented out");
/**/
/* ** / * */
println("done"); /* /* nested */ */ println("after comment");
