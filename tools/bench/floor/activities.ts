export const floorActivities = {
  async noop(): Promise<void> {},
};
