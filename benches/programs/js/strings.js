// String(i) for i < 1,000,000 into an array, joined; length and middle char: peer of benches/programs/strings.em
const parts = [];
for (let i = 0; i < 1000000; i++) parts.push(String(i));
const s = parts.join("");
const mid = Math.floor(s.length / 2);
console.log(String(s.length));
console.log(s[mid]);
