// `break` and `continue` outside of any loop
fn stop() {
    break;
}

continue;
