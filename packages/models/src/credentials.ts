// @mini-crm/models: the credentials domain's input schemas (filled in by the credentials work).
export {};
