import { NextBuyError } from '@nextbuy/contracts';

/** Generator options that cannot describe a data set: names the option and what it accepts. */
export class GeneratorOptionsError extends NextBuyError {
  constructor(
    /** The option at fault, as GeneratorOptions names it (`rows`, `wholesaleCustomers`, ...). */
    readonly option: string,
    /** What is wrong, worded to follow the option's name. */
    readonly detail: string,
  ) {
    super(`${option} ${detail}`);
  }
}
