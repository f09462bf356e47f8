/** Placeholder until the handler lands (being written in this session). */
export const handler = async (): Promise<never> => {
  throw new Error('not implemented yet');
};
