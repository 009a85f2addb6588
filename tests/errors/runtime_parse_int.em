// runtime error: message starts with `cannot parse` (parse_int(" 5"): leading space is invalid); stack: <main> (line 4). Stdout before it: "5".
println(parse_int("+5"));
let s = " 5";
println(parse_int(s));
