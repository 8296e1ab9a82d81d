// How the UI's types are built on the generated Wails models (frontend/wailsjs/go/models.ts,
// written from backend/api's DTOs by `make build`): a model's fields, with some narrowed
// (a string enum from ./generated/enums.ts, "" read as null, a list of UI shapes). A field
// renamed or added in Go then breaks the build where the UI reads or builds it.

type Method = (...args: never[]) => unknown;

/** Data is a generated model's fields, recursively, without the classes' methods. */
export type Data<T> = T extends Method
  ? never
  : T extends readonly (infer U)[]
    ? Data<U>[]
    : T extends object
      ? { [K in keyof T as T[K] extends Method ? never : K]: Data<T[K]> }
      : T;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Model is the UI's shape of the generated model T: its fields, those of O retyped. Every
 * key of O must be a field of T, so a field renamed in Go cannot hide behind an override. */
export type Model<T, O extends { [K in keyof O]: K extends keyof Data<T> ? O[K] : never } = {}> = Simplify<
  Omit<Data<T>, keyof O> & O
>;

/** Without is Omit for the fields of T only: a field renamed in Go fails here too. */
export type Without<T, K extends keyof T> = Simplify<Omit<T, K>>;

/** Wire is what a call may really resolve to for the model T, the normalisers' input: Go
 * sends nil slices, maps and pointers as null, and a test or an older payload may miss a
 * field. Its keys are still exactly the model's. */
export type Wire<T> = T extends Method
  ? never
  : T extends readonly (infer U)[]
    ? readonly Wire<U>[] | null
    : T extends object
      ? { [K in keyof T as T[K] extends Method ? never : K]?: Wire<T[K]> | null }
      : T;
