mod console_common;
use console_common::*;

#[test]
fn explore() {
    let mut c = Console::open(SMALL, true);
    println!("{}", c.screen());
    c.press("esc");
    c.press("i");
    println!("{}", c.screen());
    c.press("esc");
    c.press("enter");
    println!("{}", c.screen());
    c.press("esc");
    c.press("f");
    println!("{}", c.screen());
    c.press("esc");
    c.press("?");
    println!("{}", c.screen());
    let mut c = Console::open(WIDE, false);
    println!("{}", c.screen());
}
