/** Base class of every error this product raises about a user's input or artifact. */
export class NextBuyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Where in a source: `sales.csv, line 3, column "InvoiceDate"`, each part only when known. */
export function locationText(location: InputDataError['location']): string {
  return [
    location.source,
    location.line !== undefined ? `line ${location.line}` : undefined,
    location.row !== undefined ? `row ${location.row}` : undefined,
    location.column !== undefined ? `column "${location.column}"` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * Bad input data: says which file, line and column are at fault. Text sources have lines;
 * columnar ones (Parquet) have rows, 1-based data rows with no header to count.
 */
export class InputDataError extends NextBuyError {
  /** The message without its location. */
  readonly reason: string;

  constructor(
    message: string,
    readonly location: { source?: string; line?: number; row?: number; column?: string } = {},
    options?: ErrorOptions,
  ) {
    const where = locationText(location);
    super(where ? `${where}: ${message}` : message, options);
    this.reason = message;
  }
}

/** An artifact that fails verification (checksum, format version, missing file). */
export class ArtifactError extends NextBuyError {}

/** An environment variable that is missing or invalid: names it. */
export class ConfigurationError extends NextBuyError {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`invalid configuration "${variable}": ${reason}`);
  }
}

/** A pipeline step's input that does not match its schema: names the step and the field at fault. */
export class InvalidEventError extends NextBuyError {
  constructor(
    readonly step: string,
    readonly field: string,
    reason: string,
  ) {
    super(`invalid ${step} input at "${field}": ${reason}`);
  }
}
