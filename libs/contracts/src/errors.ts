/** Base class of every error this product raises about a user's input or artifact. */
export class NextBuyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input data: says which file, line and column are at fault. */
export class InputDataError extends NextBuyError {
  constructor(
    message: string,
    readonly location: { source?: string; line?: number; column?: string } = {},
    options?: ErrorOptions,
  ) {
    const where = [
      location.source,
      location.line !== undefined ? `line ${location.line}` : undefined,
      location.column !== undefined ? `column "${location.column}"` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    super(where ? `${where}: ${message}` : message, options);
  }
}

/** An artifact that fails verification (checksum, format version, missing file). */
export class ArtifactError extends NextBuyError {}
