// Covers: five stages on five threads, connected by channels: parse text into
// structs, square (mutating the struct that flows through), filter, format
// back to text, batch into arrays; a sentinel (`"END"`, then `none`) shuts
// each stage down in turn. One thread per stage keeps everything in order.
struct Rec { name: str, value: int, tags: [str] }

fn parse_stage(inp: chan[str], out: chan[Rec?]) {
    while true {
        let line = recv(inp);
        if line == "END" {
            send(out, none);
            return;
        }
        let parts = split(line, "=");
        send(out, Rec { name: parts[0], value: parse_int(parts[1]), tags: ["parsed"] });
    }
}

fn square_stage(inp: chan[Rec?], out: chan[Rec?]) {
    while true {
        if let r = recv(inp) {
            r.value = r.value * r.value;
            r.tags.push("sq");
            send(out, r);
        } else {
            send(out, none);
            return;
        }
    }
}

fn filter_stage(inp: chan[Rec?], out: chan[Rec?]) {
    let mut dropped = 0;
    while true {
        if let r = recv(inp) {
            if r.value % 3 == 0 {
                r.tags.push("m3");
                send(out, r);
            } else {
                dropped += 1;
            }
        } else {
            send(out, Rec { name: "dropped", value: dropped, tags: [] });
            send(out, none);
            return;
        }
    }
}

fn format_stage(inp: chan[Rec?], out: chan[str?]) {
    while true {
        if let r = recv(inp) {
            send(out, r.name + ":" + str(r.value) + " [" + join(r.tags, ",") + "]");
        } else {
            send(out, none);
            return;
        }
    }
}

fn batch_stage(inp: chan[str?], out: chan[[str]?], size: int) {
    let mut batch: [str] = [];
    while true {
        if let s = recv(inp) {
            batch.push(s);
            if len(batch) == size {
                send(out, batch);
                batch = [];
            }
        } else {
            if len(batch) > 0 {
                send(out, batch);
            }
            send(out, none);
            return;
        }
    }
}

let source: chan[str] = chan();
let c1: chan[Rec?] = chan();
let c2: chan[Rec?] = chan();
let c3: chan[Rec?] = chan();
let c4: chan[str?] = chan();
let sink: chan[[str]?] = chan();
let stages = [
    spawn parse_stage(source, c1),
    spawn square_stage(c1, c2),
    spawn filter_stage(c2, c3),
    spawn format_stage(c3, c4),
    spawn batch_stage(c4, sink, 100),
];
for i in 1..=2000 {
    send(source, "item" + str(i) + "=" + str(i));
}
send(source, "END");
let all: [str] = [];
let sizes: [int] = [];
while true {
    if let b = recv(sink) {
        sizes.push(len(b));
        for s in b { all.push(s); }
    } else {
        break;
    }
}
for t in stages { join(t); }
let mut bytes = 0;
for s in all { bytes += len(s); }
println(sizes);
println(len(all));
println(all[0]);
println(all[1]);
println(all[len(all) - 2]);
println(all[len(all) - 1]);
println(bytes);
