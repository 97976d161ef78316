// The base error class: every error logstitch raises on purpose has a stable code and says what to do.

export class LogstitchError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
