// spawn with 70 string arguments (more than one 64-bit mask could describe):
// every reference argument stays alive until the thread uses it, while the
// main thread allocates enough to trigger collections
fn churn(rounds: int) -> int {
    let mut total = 0;
    for i in 0..rounds {
        let s = str(i) + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
        total = total + len(s);
    }
    total
}
fn wide(go: chan[int], a0: str, a1: str, a2: str, a3: str, a4: str, a5: str, a6: str, a7: str, a8: str, a9: str, a10: str, a11: str, a12: str, a13: str, a14: str, a15: str, a16: str, a17: str, a18: str, a19: str, a20: str, a21: str, a22: str, a23: str, a24: str, a25: str, a26: str, a27: str, a28: str, a29: str, a30: str, a31: str, a32: str, a33: str, a34: str, a35: str, a36: str, a37: str, a38: str, a39: str, a40: str, a41: str, a42: str, a43: str, a44: str, a45: str, a46: str, a47: str, a48: str, a49: str, a50: str, a51: str, a52: str, a53: str, a54: str, a55: str, a56: str, a57: str, a58: str, a59: str, a60: str, a61: str, a62: str, a63: str, a64: str, a65: str, a66: str, a67: str, a68: str, a69: str) {
    recv(go);
    let s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15 + a16 + a17 + a18 + a19 + a20 + a21 + a22 + a23 + a24 + a25 + a26 + a27 + a28 + a29 + a30 + a31 + a32 + a33 + a34 + a35 + a36 + a37 + a38 + a39 + a40 + a41 + a42 + a43 + a44 + a45 + a46 + a47 + a48 + a49 + a50 + a51 + a52 + a53 + a54 + a55 + a56 + a57 + a58 + a59 + a60 + a61 + a62 + a63 + a64 + a65 + a66 + a67 + a68 + a69;
    println(len(s));
    println(substr(s, len(s) - 3, len(s)));
}
let go: chan[int] = chan();
let t = spawn wide(go, str(0) + "-", str(1) + "-", str(2) + "-", str(3) + "-", str(4) + "-", str(5) + "-", str(6) + "-", str(7) + "-", str(8) + "-", str(9) + "-", str(10) + "-", str(11) + "-", str(12) + "-", str(13) + "-", str(14) + "-", str(15) + "-", str(16) + "-", str(17) + "-", str(18) + "-", str(19) + "-", str(20) + "-", str(21) + "-", str(22) + "-", str(23) + "-", str(24) + "-", str(25) + "-", str(26) + "-", str(27) + "-", str(28) + "-", str(29) + "-", str(30) + "-", str(31) + "-", str(32) + "-", str(33) + "-", str(34) + "-", str(35) + "-", str(36) + "-", str(37) + "-", str(38) + "-", str(39) + "-", str(40) + "-", str(41) + "-", str(42) + "-", str(43) + "-", str(44) + "-", str(45) + "-", str(46) + "-", str(47) + "-", str(48) + "-", str(49) + "-", str(50) + "-", str(51) + "-", str(52) + "-", str(53) + "-", str(54) + "-", str(55) + "-", str(56) + "-", str(57) + "-", str(58) + "-", str(59) + "-", str(60) + "-", str(61) + "-", str(62) + "-", str(63) + "-", str(64) + "-", str(65) + "-", str(66) + "-", str(67) + "-", str(68) + "-", str(69) + "-");
println(churn(600000) > 0);
send(go, 1);
join(t);
