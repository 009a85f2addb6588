// standard functions are not values
let f = len;
