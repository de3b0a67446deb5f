/** Raised when an edit does not fit the text (the source changed, or the construct is unusual). */
export class EditDoesNotApply extends Error {}
