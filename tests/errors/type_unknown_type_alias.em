// a type name from another language (`string`), with the Ember spelling as help
fn greet(name: string) { println("hi " + name); }
