// tokens after the last item that form no statement
fn main() {
    println(1);
}
)
