// The one error type of @deeprelax/data. Every message names the file (or dataset) and the problem,
// so a user can fix bad input without reading code.

export class DataError extends Error {
  /** The file (or directory) the problem was found in, when there is one. */
  readonly file: string | null;

  constructor(message: string, file: string | null = null) {
    super(file === null ? message : `${file}: ${message}`);
    this.name = 'DataError';
    this.file = file;
  }
}
