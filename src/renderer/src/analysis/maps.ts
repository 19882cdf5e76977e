/** The overlay's map choices: common/laser/overlay-maps.ts, shared with `laser figure --map`. */
export { MAP_IDS, SIGNED_MAPS, defaultMap, mapChoices, type MapChoice, type MapId } from '../../../common/laser/overlay-maps.ts';
