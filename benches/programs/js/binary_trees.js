// binary-trees depth 16, CLBG output: peer of benches/programs/binary_trees.em
function make(depth) {
  if (depth === 0) return { left: null, right: null };
  return { left: make(depth - 1), right: make(depth - 1) };
}

function check(t) {
  let n = 1;
  if (t.left !== null) n += check(t.left);
  if (t.right !== null) n += check(t.right);
  return n;
}

function main(n) {
  const minDepth = 4;
  const maxDepth = Math.max(minDepth + 2, n);
  const stretch = maxDepth + 1;
  const out = [];
  out.push(`stretch tree of depth ${stretch}\t check: ${check(make(stretch))}`);
  const longLived = make(maxDepth);
  for (let depth = minDepth; depth <= maxDepth; depth += 2) {
    const iterations = 1 << (maxDepth - depth + minDepth);
    let total = 0;
    for (let i = 0; i < iterations; i++) total += check(make(depth));
    out.push(`${iterations}\t trees of depth ${depth}\t check: ${total}`);
  }
  out.push(`long lived tree of depth ${maxDepth}\t check: ${check(longLived)}`);
  console.log(out.join("\n"));
}

main(16);
